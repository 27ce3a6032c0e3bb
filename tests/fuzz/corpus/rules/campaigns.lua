ruleset { name = "Campaigns", grain = "week" }
local o = source "o" { csv = "data.csv", time = "date" }
source "campaigns" { csv = "data/retail/campaigns.csv" }
kpi "n" { better = "higher", minimum = 1, target = 2, review = "campaigns",
  value = function(p) return o:during(p):count() end }
review "campaigns" { campaigns = "campaigns", before = 14, after = 30 }
review "weekly" { every = "week", kpis = { "n" } }
