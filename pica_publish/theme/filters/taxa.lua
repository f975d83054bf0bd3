-- Scientific names in italics: every binomial or genus the editors list under `italic_terms` in
-- issue.yml (passed as the metadata list `italic-terms`) is set in italics wherever it appears
-- in roman: the body, captions, tables and, because this filter runs after citeproc, the titles
-- in the reference list, where authors cannot mark them. Text already in italics is left as the
-- author set it.
--
-- A term matches whole words, case-insensitively, with punctuation before the first word and
-- after the last word kept outside the italics: "(Otocolobus manul)." → "(" *Otocolobus manul* ").".

local terms = {}
local by_first = {} -- first word → the terms starting with it, longest first

-- Lower case; the byte-wise string.lower for ASCII (most words: far cheaper than a call into
-- pandoc), pandoc.text.lower (UTF-8 aware) for the rest.
local function lower(text)
  if text:find("[\128-\255]") then
    return pandoc.text.lower(text)
  end
  return text:lower()
end

local function words(text)
  local out = {}
  for word in text:gmatch("%S+") do
    out[#out + 1] = lower(word)
  end
  return out
end

local function read_terms(meta)
  for _, item in ipairs(meta["italic-terms"] or {}) do
    local term = words(pandoc.utils.stringify(item))
    if #term > 0 then
      terms[#terms + 1] = term
    end
  end
  -- longest first: "Otocolobus manul" wins over "Otocolobus"
  table.sort(terms, function(a, b) return #a > #b end)
  for _, term in ipairs(terms) do
    local list = by_first[term[1]] or {}
    list[#list + 1] = term
    by_first[term[1]] = list
  end
end

-- The word of a Str without the punctuation around it: lead, core, trail.
local function split_punctuation(text)
  local lead, core, trail = text:match("^([%(%[\"'“‘]*)(.-)([%)%]%.,;:!%?\"'”’]*)$")
  return lead or "", core or text, trail or ""
end

local function is_space(inline)
  return inline and (inline.t == "Space" or inline.t == "SoftBreak")
end

-- Does `term` start at inlines[i]? Returns the index of its last Str, and lead/trail punctuation.
local function match_at(inlines, i, term)
  local index = i
  local lead, trail = "", ""
  for n, word in ipairs(term) do
    local inline = inlines[index]
    if not inline or inline.t ~= "Str" then
      return nil
    end
    local l, core, t = split_punctuation(inline.text)
    if lower(core) ~= word then
      return nil
    end
    if n == 1 then
      lead = l
    elseif l ~= "" then
      return nil
    end
    if n == #term then
      trail = t
    elseif t ~= "" or not is_space(inlines[index + 1]) then
      return nil
    else
      index = index + 2
    end
  end
  return index, lead, trail
end

local function italicise(inlines)
  if #terms == 0 then
    return nil
  end
  local out = pandoc.Inlines({})
  local i = 1
  local changed = false
  while i <= #inlines do
    local done = false
    local candidates = nil
    if inlines[i].t == "Str" then
      local _, core = split_punctuation(inlines[i].text)
      candidates = by_first[lower(core)]
    end
    if candidates then
      for _, term in ipairs(candidates) do
        local last, lead, trail = match_at(inlines, i, term)
        if last then
          -- the words in italics, the punctuation around them outside
          local matched = pandoc.Inlines({})
          for j = i, last do
            local inline = inlines[j]
            if inline.t == "Str" then
              local _, core = split_punctuation(inline.text)
              matched:insert(pandoc.Str(core))
            else
              matched:insert(inline)
            end
          end
          if lead ~= "" then out:insert(pandoc.Str(lead)) end
          out:insert(pandoc.Emph(matched))
          if trail ~= "" then out:insert(pandoc.Str(trail)) end
          i = last + 1
          done = true
          changed = true
          break
        end
      end
    end
    if not done then
      out:insert(inlines[i])
      i = i + 1
    end
  end
  if changed then
    return out
  end
  return nil
end

return {
  { Meta = read_terms },
  {
    traverse = "topdown",
    -- already italic (or code, a link target…): leave its content as the author set it
    Emph = function(element) return element, false end,
    Inlines = function(inlines) return italicise(inlines) end,
  },
}
