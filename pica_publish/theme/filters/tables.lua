-- pica_publish tables, run by pandoc before citeproc (after crossref.lua).
--
-- Column widths come from the content: pandoc gives pipe tables with a long line, and every grid
-- or multiline table, relative widths measured from the dashes of the separator lines, which say
-- nothing about the cells ("1.1" got a third of the width while the actions beside it wrapped to
-- five lines). Every column width is dropped, so the PDF and the browser use automatic table
-- layout. The document tree does not tell a grid table from a pipe table, so no table keeps them.
--
-- A column whose body cells are all numbers, ranges or percentages (and at least one is, the
-- others '–' or empty) is numeric: aligned right, unless the author aligned it, and its body cells
-- get the class "numeric" (tabular figures, no line break; see print.css and web.css).
--
-- A table too wide for a print column becomes a wide block (class "wide", across the page, as if
-- the author had written {.wide}): more than WIDE_COLUMNS columns, or its longest words (a cell
-- breaks only between words), summed over the columns, longer than WIDE_CHARACTERS. One too wide
-- even for the page (DENSE_*) also gets the class "dense": smaller type (print.css).
-- Estimated at the table type size (7pt sans, about 1.25 mm a character, 2.4 mm cell padding):
-- a column of the A4 page is 85 mm, the page 176 mm.

local NUMERIC_CLASS = "numeric"
local WIDE_CLASS, DENSE_CLASS = "wide", "dense"
local WIDE_COLUMNS, WIDE_CHARACTERS = 4, 45
local DENSE_COLUMNS, DENSE_CHARACTERS = 9, 100
local PLACEHOLDERS = { [""] = true, ["–"] = true, ["—"] = true, ["-"] = true }
local PREFIXES = { "ca.", "c.", "<", ">", "≤", "≥", "~", "≈", "±", "−", "-", "+" }
local RANGE_DASHES = { "–", "—", "-" }
local SPACES = { "\u{00A0}", "\u{202F}", "\u{2009}" } -- "c. 4,300" has a no-break space

local function trim(text)
  for _, space in ipairs(SPACES) do
    text = text:gsub(space, " ")
  end
  return (text:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function without_prefix(text)
  for _, prefix in ipairs(PREFIXES) do
    if text:sub(1, #prefix) == prefix then
      return trim(text:sub(#prefix + 1))
    end
  end
  return text
end

-- "12", "4,300", "0.5", "76%", "1.1"
local function is_plain_number(text)
  return text:match("^%d[%d,%.]*%%?$") ~= nil and text:match("[,%.]%%?$") == nil
end

-- a number with an optional "c." or sign, or a range of two numbers ("2019–2020", "3,500–4,900")
local function is_number(text)
  text = without_prefix(text)
  if is_plain_number(text) then
    return true
  end
  for _, dash in ipairs(RANGE_DASHES) do
    local at = text:find(dash, 2, true)
    if at then
      local low, high = trim(text:sub(1, at - 1)), trim(text:sub(at + #dash))
      return is_plain_number(low) and is_plain_number(without_prefix(high))
    end
  end
  return false
end

-- Calls visit(cell, first_column, last_column) for each body cell, on the table's grid
-- (row and column spans taken into account); columns are 1-based.
local function each_body_cell(tbl, visit)
  for _, body in ipairs(tbl.bodies) do
    local spanned = {} -- column -> rows still covered by a cell from a row above
    for _, row in ipairs(body.body) do
      local column = 1
      for _, cell in ipairs(row.cells) do
        while (spanned[column] or 0) > 0 do
          column = column + 1
        end
        local last = column + cell.col_span - 1
        visit(cell, column, last)
        for c = column, last do
          spanned[c] = cell.row_span
        end
        column = last + 1
      end
      for c, rows in pairs(spanned) do
        spanned[c] = rows - 1
      end
    end
  end
end

local function numeric_columns(tbl)
  local numeric, seen = {}, {}
  for c = 1, #tbl.colspecs do
    numeric[c] = true
  end
  each_body_cell(tbl, function(cell, first, last)
    local text = trim(pandoc.utils.stringify(cell.contents))
    for c = first, last do
      if first ~= last or not (PLACEHOLDERS[text] or is_number(text)) then
        numeric[c] = false
      elseif not PLACEHOLDERS[text] then
        seen[c] = true
      end
    end
  end)
  for c = 1, #tbl.colspecs do
    numeric[c] = numeric[c] and seen[c] == true
  end
  return numeric
end

-- The longest word (in characters) of each column, header and body cells spanning one column.
local function longest_words(tbl)
  local longest = {}
  for c = 1, #tbl.colspecs do
    longest[c] = 0
  end
  local function visit(cell, first, last)
    if first ~= last then
      return
    end
    for word in pandoc.utils.stringify(cell.contents):gmatch("%S+") do
      longest[first] = math.max(longest[first], utf8.len(word) or #word)
    end
  end
  each_body_cell(tbl, visit)
  for _, row in ipairs(tbl.head.rows) do
    local column = 1
    for _, cell in ipairs(row.cells) do
      visit(cell, column, column + cell.col_span - 1)
      column = column + cell.col_span
    end
  end
  return longest
end

local function mark_width(tbl)
  local characters = 0
  for _, length in ipairs(longest_words(tbl)) do
    characters = characters + length
  end
  local columns = #tbl.colspecs
  if columns > WIDE_COLUMNS or characters > WIDE_CHARACTERS then
    if not tbl.classes:includes(WIDE_CLASS) then
      tbl.classes:insert(WIDE_CLASS)
    end
  end
  if columns > DENSE_COLUMNS or characters > DENSE_CHARACTERS then
    if not tbl.classes:includes(DENSE_CLASS) then
      tbl.classes:insert(DENSE_CLASS)
    end
  end
end

function Table(tbl)
  mark_width(tbl)
  local numeric = numeric_columns(tbl)
  for c, colspec in ipairs(tbl.colspecs) do
    local alignment = colspec[1]
    if numeric[c] and alignment == "AlignDefault" then
      alignment = "AlignRight"
    end
    tbl.colspecs[c] = { alignment, pandoc.ColWidthDefault } -- nil: no <col style="width">
  end
  each_body_cell(tbl, function(cell, first, last)
    if first == last and numeric[first] and not cell.classes:includes(NUMERIC_CLASS) then
      cell.classes:insert(NUMERIC_CLASS)
    end
  end)
  return tbl
end
