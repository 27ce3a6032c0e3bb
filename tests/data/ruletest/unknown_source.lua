-- unknown_source.lua -- the shop again, for unknown_source.test.lua (e2e_test_cmd.c).
extends "shop.lua"
