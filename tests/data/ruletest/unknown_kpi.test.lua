-- unknown_kpi.test.lua -- an error in a test file (e2e_test_cmd.c).
test "typo" {
  period = "2024-06",
  expect = { revnue = 1700 },
}
