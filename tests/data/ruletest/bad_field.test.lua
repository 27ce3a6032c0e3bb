-- bad_field.test.lua -- an error in a test file (e2e_test_cmd.c).
test "typo" {
  period = "2024-06",
  expct = { revenue = 1700 },
}
