"""Page geometry for US Letter folded in thirds into a #10 window envelope.

All rectangles are in PostScript points (72 per inch) measured from the LEFT and TOP
edges of the page, as a person with a ruler would measure them. ReportLab draws from
the bottom edge, so use `from_bottom` to convert.

How the window areas were chosen
--------------------------------
#10 envelope: 9 1/2 x 4 1/8 in. The usual single window (the one USPS and most
accounting software assume) is 4 1/2 x 1 1/8 in, 7/8 in from the left edge and 1/2 in
from the bottom edge of the envelope. A #10 double-window (check/statement) envelope
adds an upper window for the sender's address near the top left.

A letter folded in thirds has a 11/3 = 3.667 in top panel; resting at the bottom of the
envelope, the single window shows the page from 3.667 - 1.625 = 2.042 in to
3.667 - 0.5 = 3.167 in from the top. Horizontally the 8 1/2 in sheet can slide about
1 in in the 9 1/2 in envelope, so only the band that stays under the window in either
position is used.

The two safe areas below follow the published placement guide of a US mailing service
for #10 double-window envelopes with tri-folded US Letter (PostalMethods developer
guide: recipient area from 2.042 in down, 0.875 in tall; return area from 0.5 in down,
0.792 in tall, both 3.5 in wide at most), narrowed on the left to 7/8 in so the recipient
block also shows through the standard single window. Measure the practice's actual
envelope stock before a large mailing: window positions vary by maker.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.pagesizes import LETTER

PAGE_WIDTH, PAGE_HEIGHT = LETTER  # 612 x 792 pt
INCH = 72.0


@dataclass(frozen=True)
class Area:
    """A rectangle in points from the page's left and top edges."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def contains(self, x: float, y_from_top: float) -> bool:
        return self.left <= x <= self.right and self.top <= y_from_top <= self.bottom


# Recipient address: 0.875-4.0 in from the left, 2.042-2.917 in from the top
# (63-288 pt, 147-210 pt). Shows through a #10 single window and the lower window of a
# #10 double-window envelope.
RECIPIENT_WINDOW = Area(left=63.0, top=147.0, right=288.0, bottom=210.0)

# Return address (the practice): 0.5-4.0 in from the left, 0.5-1.292 in from the top
# (36-288 pt, 36-93 pt). Shows through the upper window of a #10 double-window envelope.
RETURN_WINDOW = Area(left=36.0, top=36.0, right=288.0, bottom=93.0)

# Where text starts inside each window (kept off the left edge like the body text).
RETURN_TEXT_LEFT = 63.0
RECIPIENT_TEXT_LEFT = 63.0

MARGIN_LEFT = 63.0  # 0.875 in, aligned with the address blocks
MARGIN_RIGHT = 63.0
BODY_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT

# Letterhead right column (phone, logo) and the date / request number beside the window,
# right of 5.5 in so it stays hidden behind the envelope face.
HEADER_RIGHT = PAGE_WIDTH - MARGIN_RIGHT
LOGO_MAX_WIDTH = 144.0
LOGO_MAX_HEIGHT = 48.0
HEADER_RULE_TOP = 104.0  # 1.44 in, between the two windows
REFERENCE_LEFT = 396.0  # 5.5 in
REFERENCE_TOP = 147.0

# The body starts below the top fold panel's window area (3.375 in from the top).
FIRST_BODY_TOP = 243.0
LATER_BODY_TOP = 66.0
BODY_BOTTOM = 60.0  # from the bottom edge, above the page number
FOOTER_BASELINE = 32.0  # from the bottom edge
CONTINUED_BASELINE_FROM_TOP = 40.0


def from_bottom(y_from_top: float) -> float:
    return float(PAGE_HEIGHT - y_from_top)
