-- bad_fixture.lua -- the shop again, for bad_fixture.test.lua (e2e_test_cmd.c).
extends "shop.lua"
