-- unknown_kpi.lua -- the shop again, for unknown_kpi.test.lua (e2e_test_cmd.c).
extends "shop.lua"
