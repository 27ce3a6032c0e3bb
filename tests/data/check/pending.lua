-- pending.lua -- a declaration that never gets its { ... }, and a failing top level.
ruleset { name = "Check – pending", currency = "VND" }

kpi "orders"
kpi "revenue" { unit = "VND", better = "higher", minimum = 1, target = 5,
  value = function(p) return 1 end }
