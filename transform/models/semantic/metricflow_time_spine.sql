-- MetricFlow's time spine: 1 January of every year in dim__calendar_year (the fact years and the forecast
-- horizon). Year is the grain of every time dimension in the semantic layer, so a yearly spine is all it needs.
select make_date(calendar_year, 1, 1) as date_year
from {{ ref('dim__calendar_year') }}
where calendar_year > 0
