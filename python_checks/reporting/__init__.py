"""How results are shown: number formats and the console layouts of `pgc`, the inline-SVG
charts and the HTML report with its template. Renders what the domain packages computed;
imports the domain packages and `stats`, never the warehouse."""
