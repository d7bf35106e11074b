-- wrk script for scripts/bench: one request path per call of request(),
-- randomised from the generated query material (bench-data.lua).
-- usage: wrk ... -s wrk.lua URL -- MODE SEED DATAFILE
-- MODE: nearest | nearest-facility | map5 | map10 | map15 | search | code | static
-- Each wrk thread has its own Lua state; its generator is seeded with
-- SEED and the thread's number, so a run is reproducible.

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_no", counter)
end

local mode, D, npts
local gen = {}

-- a population-weighted point (a generated place) moved by up to ~5 km
local function point()
  local i = math.random(npts)
  local lat = D.pts[2 * i - 1] + (math.random() - 0.5) * 0.1
  local lon = D.pts[2 * i] + (math.random() - 0.5) * 0.1
  return lat, lon
end

gen["nearest"] = function()
  local lat, lon = point()
  return string.format("/v1/nearest?lat=%.5f&lon=%.5f&limit=10", lat, lon)
end

gen["nearest-facility"] = function()
  local lat, lon = point()
  return string.format("/v1/nearest?lat=%.5f&lon=%.5f&limit=10&kind=facility", lat, lon)
end

gen["map5"] = function()
  return "/v1/map?bbox=102,6.5,117.5,23.5&zoom=5"
end

-- a 1280 x 800 pixel viewport at zoom z around a populated point:
-- 1280 px = 1280 * 360 / (256 * 2^z) degrees of longitude, and 800 px of
-- latitude about cos(lat) times that per pixel (Web Mercator, locally)
local function viewport(z)
  local lat, lon = point()
  local dlon = 1280 * 360 / (256 * 2 ^ z)
  local dlat = 800 * 360 / (256 * 2 ^ z) * math.cos(math.rad(lat))
  return string.format("/v1/map?bbox=%.5f,%.5f,%.5f,%.5f&zoom=%d",
                       lon - dlon / 2, lat - dlat / 2, lon + dlon / 2, lat + dlat / 2, z)
end

gen["map10"] = function() return viewport(10) end
gen["map15"] = function() return viewport(15) end

gen["search"] = function()
  return "/v1/search?q=" .. D.queries[math.random(#D.queries)]
end

gen["code"] = function()
  return D.codes[math.random(#D.codes)]
end

gen["static"] = function()
  return "/nearest.json"
end

function init(args)
  mode = args[1]
  local seed = tonumber(args[2]) or 1
  math.randomseed(seed * 1000 + (thread_no or 0))
  D = dofile(args[3])
  npts = #D.pts / 2
  if gen[mode] == nil then
    error("wrk.lua: unknown mode " .. tostring(mode))
  end
  gen = gen[mode]
end

function request()
  return wrk.format("GET", gen())
end
