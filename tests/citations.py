"""What met-2013's citations print: the FOI answer, each source's reference, the licence."""

ANSWER = (
    "Metropolitan Police Service FOI answer to Parliament Street (UK think tank), covering "
    "2009 to early 2013: officers 2009 to 2012 and civilian staff 2009 to early 2013, "
    "according to IDG"
)
GUARDIAN = (
    "The Guardian (“Met police investigated 75 officers over Facebook and social networks "
    "misuse”, 2013-04-12, "
    "https://www.theguardian.com/media/2013/apr/12/met-police-investigate-75-officers-facebook)"
)
STANDARD = (
    "Evening Standard (“Scotland Yard sacks seven for misusing Facebook and Twitter”, "
    "2013-04-11 (approximate, inferred), http://www.standard.co.uk/news/crime/"
    "scotland-yard-sacks-seven-for-misusing-facebook-and-twitter-8568413.html)"
)
INDEPENDENT = (
    "The Independent (“Three police fired for social media misuse (headline taken from the "
    "address)”, 2013-04-11 or 12 (approximate, inferred), https://the-independent.com/news/"
    "uk/crime/three-police-fired-for-social-media-misuse-8569131.html)"
)
LICENCE_LINE = "Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."


STANDARD_URL = (
    "http://www.standard.co.uk/news/crime/scotland-yard-sacks-seven-for-misusing-facebook-and-"
    "twitter-8568413.html"
)
IDG_URL = (
    "http://parliamentstreet.org/press-room/2013/international-data-group-idg-news-service-"
    "cover-parliament-street-research/"
)
IDG = (
    "Parliament Street (reproducing IDG News Service) (“International Data Group (IDG) News "
    f"Service cover Parliament Street research”, 2013-04 (inferred), {IDG_URL})"
)
