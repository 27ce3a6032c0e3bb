-- variant.lua -- a client variant of levels.lua: findings of both files, by file and line.
extends "levels.lua"

kpi "basket" { better = "higher", minimum = 50, target = 80,
  value = function(p, k) return k.revenu end }

kpi "orders" { minimun = 2 }
