-- empty.test.lua -- a test file that declares no case (e2e_test_cmd.c).
local nothing = {}
