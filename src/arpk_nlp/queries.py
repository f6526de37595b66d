"""The common questions asked of an archive store, as DuckDB SQL (docs/archive.md shows them).

Each query takes named parameters: `$mv` (the model version whose rows are read) and, where it
says so, `$mission`, `$actor`, `$n`. "Mission" means an actor of type MISSION mentioned in the
article (a linked one: `mission:...`); "area" means an A4P area whose label the model assigned.
"""
from __future__ import annotations

QUERIES: dict[str, tuple[str, str]] = {
    "months": ("Articles and words per month (meta.date), with the articles per A4P area.", """
SELECT strftime(a.date, '%Y-%m') AS month, count(*) AS articles, sum(a.words) AS words,
       sum(a.label_POLITICS) AS POLITICS, sum(a.label_WPS) AS WPS, sum(a.label_PROTECTION) AS PROTECTION,
       sum(a.label_SAFETY_SECURITY) AS SAFETY_SECURITY, sum(a.label_PERFORMANCE_ACCOUNTABILITY) AS PERFORMANCE_ACCOUNTABILITY,
       sum(a.label_PEACEBUILDING) AS PEACEBUILDING, sum(a.label_PARTNERSHIPS) AS PARTNERSHIPS, sum(a.label_CONDUCT) AS CONDUCT
FROM articles a WHERE a.model_version = $mv
GROUP BY 1 ORDER BY 1 NULLS LAST"""),
    "outlets": ("Articles per outlet (meta.outlet).", """
SELECT outlet, count(*) AS articles, sum(words) AS words, min(date) AS first, max(date) AS last
FROM articles WHERE model_version = $mv
GROUP BY 1 ORDER BY articles DESC, outlet"""),
    "missions": ("Articles mentioning each mission.", """
SELECT actor AS mission, any_value(name_en) AS name_en, any_value(name_ar) AS name_ar,
       count(DISTINCT article) AS articles, sum(mentions) AS mentions
FROM actors WHERE model_version = $mv AND type = 'MISSION' AND actor LIKE 'mission:%'
GROUP BY 1 ORDER BY articles DESC, mission"""),
    "areas": ("Articles per A4P area (label assigned), with the mean score.", """
SELECT area, sum(label) AS articles, round(avg(score), 3) AS mean_score, sum(borderline) AS borderline
FROM areas WHERE model_version = $mv
GROUP BY 1 ORDER BY articles DESC, area"""),
    "areas-by-mission": ("Articles per mission and A4P area.", """
WITH m AS (SELECT DISTINCT article, actor AS mission FROM actors
           WHERE model_version = $mv AND type = 'MISSION' AND actor LIKE 'mission:%')
SELECT m.mission, r.area, count(*) AS articles
FROM m JOIN areas r ON r.article = m.article AND r.model_version = $mv AND r.label = 1
GROUP BY 1, 2 ORDER BY m.mission, articles DESC, r.area"""),
    "top-actors": ("The actors most often in the same articles as each mission ($mission: one only; $n per mission).", """
WITH m AS (SELECT DISTINCT article, actor AS mission FROM actors
           WHERE model_version = $mv AND type = 'MISSION' AND actor LIKE 'mission:%'
             AND ($mission IS NULL OR actor = $mission)),
-- one row per mission, actor and article first, then counts, then the names of the top actors
-- only: plain GROUP BYs of ids, which spill to disk under the store's memory cap (--db-memory;
-- a count(DISTINCT ...), or names carried through, ran out of 64 MB on the 100k store)
per_article AS (
  SELECT m.mission, a.actor, a.article, sum(a.mentions) AS mentions
  FROM m JOIN actors a ON a.article = m.article AND a.model_version = $mv
  WHERE a.actor <> m.mission
  GROUP BY m.mission, a.actor, a.article),
counts AS (SELECT mission, actor, count(*) AS articles, sum(mentions) AS mentions FROM per_article GROUP BY mission, actor),
top AS (
  SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY mission ORDER BY articles DESC, mentions DESC, actor) AS rank
                 FROM counts) WHERE rank <= $n),
names AS (
  SELECT actor, any_value(type) AS type, any_value(name_en) AS name_en, any_value(name_ar) AS name_ar FROM actors
  WHERE model_version = $mv AND actor IN (SELECT actor FROM top) GROUP BY actor)
SELECT t.mission, t.rank, t.actor, n.type, n.name_en, n.name_ar, t.articles, t.mentions
FROM top t JOIN names n USING (actor)
ORDER BY t.mission, t.rank"""),
    "articles": ("The articles that mention $actor (an actor id), newest first ($n at most).", """
SELECT ar.id, ar.date, ar.outlet, ar.title, ac.mentions, ar.labels, ar.source
FROM actors ac JOIN articles ar ON ar.id = ac.article AND ar.model_version = ac.model_version
WHERE ac.model_version = $mv AND ac.actor = $actor
ORDER BY ar.date DESC NULLS LAST, ar.id LIMIT $n"""),
}


def run_query(con, name: str, mv: str, mission: str | None = None, actor: str | None = None, n: int = 10):
    """RETURNS (column names, rows) of the named query."""
    sql = QUERIES[name][1]
    params = {"mv": mv}
    for key, value in (("mission", mission), ("actor", actor), ("n", n)):
        if f"${key}" in sql:
            params[key] = value
    cur = con.execute(sql, params)
    return [d[0] for d in cur.description], cur.fetchall()
