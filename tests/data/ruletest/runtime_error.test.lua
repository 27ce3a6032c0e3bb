-- runtime_error.test.lua -- an error in a test file (e2e_test_cmd.c).
local x = nil
test "fine" { period = "2024-06", expect = { orders = x.count } }
