-- malpl.lua: gives the GitHub-readable report Markdown its Word and HTML structure.
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

function Span(span)
  local color = span.attributes["color"]
  if not color then return nil end
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
