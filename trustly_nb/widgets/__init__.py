"""ipywidgets front ends: :class:`CustomerForm` for one customer.

Example:
    >>> import trustly_nb as tnb
    >>> form = tnb.CustomerForm(client, "1001165729")   # doctest: +SKIP
"""

from ._form import CustomerForm

__all__ = ["CustomerForm"]
