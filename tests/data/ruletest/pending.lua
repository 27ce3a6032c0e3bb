-- pending.lua -- the shop again, for pending.test.lua (e2e_test_cmd.c).
extends "shop.lua"
