-- pending.test.lua -- an error in a test file (e2e_test_cmd.c).
test "no body"
