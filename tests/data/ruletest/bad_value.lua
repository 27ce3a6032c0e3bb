-- bad_value.lua -- the shop again, for bad_value.test.lua (e2e_test_cmd.c).
extends "shop.lua"
