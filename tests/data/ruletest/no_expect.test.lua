-- no_expect.test.lua -- an error in a test file (e2e_test_cmd.c).
test "nothing" { period = "2024-06" }
