-- duplicate.lua -- the shop again, for duplicate.test.lua (e2e_test_cmd.c).
extends "shop.lua"
