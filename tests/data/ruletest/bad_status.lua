-- bad_status.lua -- the shop again, for bad_status.test.lua (e2e_test_cmd.c).
extends "shop.lua"
