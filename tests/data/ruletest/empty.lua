-- empty.lua -- the shop again, for empty.test.lua (e2e_test_cmd.c).
extends "shop.lua"
