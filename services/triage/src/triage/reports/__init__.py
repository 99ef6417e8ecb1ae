"""The annual report: a year's figures for leads, as an internal workbook, a public version and a PDF with charts."""
