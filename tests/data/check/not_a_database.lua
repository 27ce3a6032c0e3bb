-- not_a_database.lua -- a sqlite source that is a text file.
ruleset { name = "Check – not a database", currency = "VND" }

local csat = source "csat" { sqlite = "data/notes.db", table = "csat", time = "answered_at" }

kpi "answers" { unit = "count", better = "higher", minimum = 1, target = 5,
  value = function(p) return csat:during(p):count() end }
