-- syntax.test.lua -- an error in a test file (e2e_test_cmd.c).
test "broken" {
  period = "2024-06"
  expect = { revenue = 1700 },
}
