-- duplicate.test.lua -- an error in a test file (e2e_test_cmd.c).
test "twice" { period = "2024-06", expect = { orders = 3 } }
test "twice" { period = "2024-06", expect = { orders = 3 } }
