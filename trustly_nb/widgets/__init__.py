"""ipywidgets front ends: :class:`CustomerForm` for one customer, :class:`CustomerGrid` for many.

ipydatagrid (the grid's table) loads only when a grid is made.

Example:
    >>> import trustly_nb as tnb
    >>> form = tnb.CustomerForm(client, "1001165729")   # doctest: +SKIP
    >>> grid = tnb.CustomerGrid(client)                 # doctest: +SKIP
"""

from ._form import CustomerForm
from ._grid import CustomerGrid

__all__ = ["CustomerForm", "CustomerGrid"]
