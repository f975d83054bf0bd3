-- pica_publish: the Quarto syntax the house style accepts, run by pandoc before crossref.lua.
--
-- * Cross-references: Quarto's labels {#fig-map} and references @fig-map (also tbl-, sec-,
--   eq-) are aliases of {#fig:map} and @fig:map, which crossref.lua numbers; links written
--   to #fig-map follow the renamed identifier.
-- * Callouts: ::: {.callout-note} (or -warning, -tip, -important, -caution) becomes a box,
--   <div class="callout callout-note" role="note">, whose first line is its title: the
--   title="…" attribute, else the heading the callout starts with, else the type ("Note").
-- * An empty ::: {#refs} div at the very end is dropped: the reference list always ends the
--   article. `pica-publish check` refuses one anywhere else, with its line.

local PREFIXES = { fig = true, tbl = true, sec = true, eq = true }
local CALLOUTS = {
  note = "Note", warning = "Warning", tip = "Tip", important = "Important", caution = "Caution",
}

local function alias(id)
  local kind, name = id:match("^(%a+)%-(.+)$")
  if kind ~= nil and PREFIXES[kind] then
    return kind .. ":" .. name
  end
  return nil
end

local function rename(element)
  local ok, identifier = pcall(function() return element.identifier end)
  if ok and type(identifier) == "string" and alias(identifier) then
    element.identifier = alias(identifier)
    return element
  end
  return nil
end

local renaming = {
  Block = rename,
  Inline = function(inline)
    if inline.t == "Cite" then
      local changed = false
      for _, citation in ipairs(inline.citations) do
        local renamed = alias(citation.id)
        if renamed then
          citation.id = renamed
          changed = true
        end
      end
      if changed then
        return inline
      end
      return nil
    elseif inline.t == "Link" and inline.target:sub(1, 1) == "#" then
      local target = alias(inline.target:sub(2))
      if target then
        inline.target = "#" .. target
      end
      return rename(inline) or inline
    elseif inline.t == "Str" then
      -- pandoc-crossref's equation label after $$ … $$ is text: {#eq-energy} → {#eq:energy}
      local name, rest = inline.text:match("^{#eq%-([^%s{}]+)}(.*)$")
      if name then
        return pandoc.Str("{#eq:" .. name .. "}" .. rest)
      end
    end
    return rename(inline)
  end,
}

local function callout(div)
  local kind
  for _, class in ipairs(div.classes) do
    kind = kind or (CALLOUTS[class:match("^callout%-(%a+)$") or ""] and class:match("^callout%-(%a+)$"))
  end
  if kind == nil then
    return nil
  end
  local content = div.content
  local title = pandoc.Inlines({ pandoc.Str(CALLOUTS[kind]) })
  if div.attributes.title and div.attributes.title ~= "" then
    title = pandoc.utils.blocks_to_inlines(pandoc.read(div.attributes.title, "markdown").blocks)
  elseif #content > 0 and content[1].t == "Header" then
    title = content[1].content
    content:remove(1)
  end
  local heading = pandoc.Div({ pandoc.Plain(title) }, { class = "callout-title" })
  content:insert(1, heading)
  return pandoc.Div(content, pandoc.Attr(div.identifier, { "callout", "callout-" .. kind }, { role = "note" }))
end

local blocks = {
  Div = callout,
  Pandoc = function(doc)
    local last = doc.blocks[#doc.blocks]
    if last and last.t == "Div" and last.identifier == "refs" and #last.content == 0 then
      doc.blocks:remove(#doc.blocks)
      return doc
    end
    return nil -- unchanged: not handed back to pandoc
  end,
}

return { renaming, blocks }
