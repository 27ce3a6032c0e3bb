-- unknown_source.test.lua -- an error in a test file (e2e_test_cmd.c).
test "typo" {
  period = "2024-06",
  data = { order = { { date = "2024-06-01", customer_id = "C1", amount = 1 } } },
  expect = { revenue = 1 },
}
