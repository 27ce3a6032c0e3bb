-- bad_period.test.lua -- an error in a test file (e2e_test_cmd.c).
test "month 13" {
  period = "2024-13",
  expect = { orders = 3 },
}
