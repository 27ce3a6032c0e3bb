-- bad_fixture.test.lua -- an error in a test file (e2e_test_cmd.c).
test "missing file" {
  period = "2024-06",
  data = { spend = "fixtures/nope.csv" },
  expect = { cac = 1 },
}
