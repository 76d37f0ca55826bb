{#- The attendance rate of a set of school-years weighted by headcount (0-100): sum(rate x headcount) / sum(headcount)
    over the rows aggregated, which the caller limits to reported rates. The semantic metric attendance_rate weighs
    the same way; rpt__state_attendance_rate and rpt__like_school_attendance both compute it here. Summed as decimals:
    a sum of doubles depends on the order DuckDB's threads add them in, and the risk model, which reads these rates,
    must give the same scores in every build. -#}
{% macro weighted_attendance_rate(rate, headcount) -%}
    cast(sum(cast({{ rate }} * {{ headcount }} as decimal(38, 6))) / sum({{ headcount }}) as double)
{%- endmacro %}
