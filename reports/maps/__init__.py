"""The province map: boundaries of both eras (provinces.json, made by scripts/build_province_map.py)
and the choropleth drawn from them (choropleth.py), rendered by templates/reports/_map.html."""
