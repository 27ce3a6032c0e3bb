-- syntax.lua -- the shop again, for syntax.test.lua (e2e_test_cmd.c).
extends "shop.lua"
