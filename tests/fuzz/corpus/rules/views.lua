ruleset { name = "Views", grain = "quarter" }
local u = require "util"
local o = source "o" { csv = "data.csv", time = "date" }
kpi "median" { better = "higher", minimum = 1, target = 2,
  value = function(p) return o:during(p):median "amount" end }
kpi "q90" { better = "higher", minimum = 1, target = 2,
  value = function(p) return o:where("amount", ">=", 20):during(p):quantile("amount", 0.9) end }
kpi "web" { better = "higher", minimum = 1, target = 2,
  value = function(p) return o:where{ channel = { "web", "shop" } }:during(p):count() end }
kpi "ratio" { better = "higher", minimum = 0.1, target = 0.5,
  value = function(p) return u.div(o:during(p):distinct "customer_id", o:during(p):count()) end }
kpi "top" { better = "higher", minimum = 1, target = 2,
  value = function(p) return o:during(p):by "channel":count():total() end,
  breakdown = function(p) return o:between("2024-01-01", "2024-12-31"):by "channel":max "amount":top(1) end }
kpi "shifted" { better = "higher", minimum = 1, target = 2,
  value = function(p) return o:during(p:shift(-1)):count() + p:days() end }
