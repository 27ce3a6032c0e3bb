-- bad_status.test.lua -- an error in a test file (e2e_test_cmd.c).
test "typo" {
  period = "2024-06",
  expect = { status = { cac = "met_targt" } },
}
