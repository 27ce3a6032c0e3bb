-- bad_query.lua -- a sqlite source whose query does not run.
ruleset { name = "Check – bad query", currency = "VND" }

local csat = source "csat" { sqlite = "data/shop.db", time = "answered_at",
                             query = "SELECT answered_at, scroe FROM csat" }

kpi "answers" { unit = "count", better = "higher", minimum = 1, target = 5,
  value = function(p) return csat:during(p):count() end }
