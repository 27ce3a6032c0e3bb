-- failing.lua -- the shop, for cases that fail (failing.test.lua).
extends "shop.lua"
