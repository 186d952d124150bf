-- malpl.lua: gives the GitHub-readable report Markdown its Word and HTML structure,
-- and keeps the output inert whatever a template writes.
--  * Only inline pictures (data:image/png or jpeg URIs, and svg+xml in HTML) stay images;
--    any other image becomes its description, so nothing is read from disk or the network.
--  * Raw HTML other than <br> becomes visible text; links to javascript: lose their target.
--  * In table cells "<br><br>" separates paragraphs and "<br>" breaks a line, so a
--    comment's paragraphs become real paragraphs in Word.
--  * <span color="#rrggbb">●</span> becomes coloured text (the assessment symbol).

local function is_br(inline)
  return inline.t == "RawInline" and inline.format == "html"
    and inline.text:match("^<br%s*/?>$") ~= nil
end

local function split_paragraphs(inlines)
  local blocks, current, breaks = pandoc.List(), pandoc.List(), 0
  local function flush()
    if #current > 0 then blocks:insert(pandoc.Plain(current)) end
    current = pandoc.List()
  end
  for _, inline in ipairs(inlines) do
    if is_br(inline) then
      breaks = breaks + 1
    else
      if breaks >= 2 then flush() elseif breaks == 1 then current:insert(pandoc.LineBreak()) end
      breaks = 0
      current:insert(inline)
    end
  end
  flush()
  if #blocks > 1 then  -- several paragraphs: real <p>s in HTML, spaced paragraphs in Word
    for i, block in ipairs(blocks) do blocks[i] = pandoc.Para(block.content) end
  end
  return blocks
end

local function fix_cell(cell)
  local blocks = pandoc.List()
  for _, block in ipairs(cell.contents) do
    if block.t == "Plain" or block.t == "Para" then
      blocks:extend(split_paragraphs(block.content))
    else
      blocks:insert(block)
    end
  end
  cell.contents = blocks
  return cell
end

local function fix_rows(rows)
  for _, row in ipairs(rows) do
    for i, cell in ipairs(row.cells) do row.cells[i] = fix_cell(cell) end
  end
end

function Table(tbl)
  fix_rows(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do fix_rows(body.body) end
  return tbl
end

-- Event handlers (onclick=…) never reach the output, whatever a template writes.
local function inert(el)
  if el.attributes == nil then return el end
  local handlers = {}
  for key, _ in pairs(el.attributes) do
    local name = key:lower():gsub("^data%-", "")
    if name:match("^on") then table.insert(handlers, key) end
  end
  for _, key in ipairs(handlers) do el.attributes[key] = nil end
  return el
end

function Div(div) return inert(div) end
function Header(h) return inert(h) end

function Span(span)
  span = inert(span)
  local color = span.attributes["color"]
  if not color then return span end
  local hex = color:gsub("#", "")
  local text = pandoc.utils.stringify(span)
  if FORMAT:match("docx") then
    text = text:gsub("&", "&amp;"):gsub("<", "&lt;")
    return pandoc.RawInline("openxml",
      '<w:r><w:rPr><w:color w:val="' .. hex .. '"/></w:rPr><w:t xml:space="preserve">'
      .. text .. "</w:t></w:r>")
  end
  if FORMAT:match("html") then
    span.attributes["color"] = nil
    span.attributes["style"] = "color:#" .. hex
    span.classes:insert("bedomning-symbol")
    return span
  end
  return nil
end

local function is_malpl_chart(src)
  -- SVG only in HTML, where an <img> never loads what it names; Word might.
  local kinds = {"png", "jpeg"}
  if FORMAT:match("html") then table.insert(kinds, "svg%+xml") end
  for _, kind in ipairs(kinds) do
    if src:match("^data:image/" .. kind .. ";base64,[A-Za-z0-9+/=]+$") then return true end
  end
  return false
end

function Image(img)
  if is_malpl_chart(img.src) then return inert(img) end
  return img.caption
end

local function raw_as_text(raw)
  if raw.format == "html" and raw.text:match("^<!%-%-.*%-%->$") then return {} end
  return pandoc.Str(raw.text)
end

function RawInline(raw)
  if is_br(raw) then return nil end
  return raw_as_text(raw)
end

function RawBlock(raw)
  local text = raw_as_text(raw)
  if text == nil then return nil end
  if type(text) == "table" and text.t == nil then return {} end
  return pandoc.Para({text})
end

function Link(link)
  local target = link.target:gsub("[%s%c]", ""):lower()
  if target:match("^javascript:") or target:match("^vbscript:") or target:match("^data:") then
    return link.content
  end
  return inert(link)
end
