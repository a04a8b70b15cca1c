"""Parts of the organisations app's pages that higher apps fill in (see maturity.panels).

`organisation_page` is drawn between an organisation's details and its people, with `access`;
`your_organisations_page` below the person's organisations and clients, with `clients` (the
consultant's active grants).
"""

from maturity.panels import Panels

organisation_page = Panels("organisation")
your_organisations_page = Panels("your organisations")
