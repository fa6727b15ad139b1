"""The dashboards: national → region → province for a year and a cut-off date (`views`, the
page's rows and charts in `page`, the chart geometry in `charts`), their workbook (`excel`) and
the summary API (`api`), all over one `programmes.selectors.summary`."""
