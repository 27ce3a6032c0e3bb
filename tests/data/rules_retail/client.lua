-- A client variant: the base rule set with its own spend file and goals.
extends "retail.lua"

local fin = require "fin"

ruleset { name = "Retail test - client B" }

-- The same source name: the base's KPIs now read this file too.
local spend = source "spend" { csv = "data/spend_b.csv", time = "day", delimiter = ";",
                               decimal = ",", date_format = "%d/%m/%Y",
                               columns = { cost = "decimal(2)" } }

kpi "revenue" { target = 2000, owner = false }

kpi "spend_share" { unit = "%", better = "lower", minimum = 3, target = 2,
  value = function(p, k)
    return fin.share(spend:during(p):sum "cost", k.revenue)
  end }
