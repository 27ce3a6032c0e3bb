-- bad_value.test.lua -- an error in a test file (e2e_test_cmd.c).
test "a string" {
  period = "2024-06",
  expect = { orders = "three" },
}
