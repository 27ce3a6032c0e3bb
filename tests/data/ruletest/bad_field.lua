-- bad_field.lua -- the shop again, for bad_field.test.lua (e2e_test_cmd.c).
extends "shop.lua"
