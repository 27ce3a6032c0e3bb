-- runtime_error.lua -- the shop again, for runtime_error.test.lua (e2e_test_cmd.c).
extends "shop.lua"
