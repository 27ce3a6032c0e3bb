-- bad_period.lua -- the shop again, for bad_period.test.lua (e2e_test_cmd.c).
extends "shop.lua"
