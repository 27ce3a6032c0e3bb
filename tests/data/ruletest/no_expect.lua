-- no_expect.lua -- the shop again, for no_expect.test.lua (e2e_test_cmd.c).
extends "shop.lua"
