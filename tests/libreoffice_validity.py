"""Run by the system's Python, which has LibreOffice's UNO bridge (python3-uno), not by the tests'
virtual environment: open an xlsx in headless LibreOffice, type each value into one cell and ask
LibreOffice's own validity check (Tools ▸ Detective ▸ Mark Invalid Data) whether it accepts it,
then empty the cell again; then the next file, in the same LibreOffice (each start costs seconds).

    python3 libreoffice_validity.py SHEET PORT PROFILE_DIR FILE.xlsx CELL=VALUE... [FILE.xlsx CELL=VALUE...]...

prints one line of JSON: ``{"FILE.xlsx": {"CELL=VALUE": true when LibreOffice marks it invalid}}``
(an argument without ``=`` names the file the values after it are typed into)."""

import json
import subprocess
import sys
import time

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]


def main(sheet_name: str, port: str, profile: str, *arguments: str) -> None:
    files: dict[str, list[str]] = {}
    for argument in arguments:
        if "=" in argument:
            files[list(files)[-1]].append(argument)
        else:
            files[argument] = []
    office = subprocess.Popen(
        ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{profile}",
         f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext"
        for _ in range(240):
            try:
                remote = resolver.resolve(url)
                break
            except NoConnectException:  # LibreOffice is still starting
                time.sleep(0.25)
        desktop = remote.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", remote
        )
        hidden = PropertyValue()
        hidden.Name, hidden.Value = "Hidden", True
        marked: dict[str, dict[str, bool]] = {}
        for path, typed in files.items():
            document = desktop.loadComponentFromURL(f"file://{path}", "_blank", 0, (hidden,))
            sheet = document.Sheets.getByName(sheet_name)
            marked[path] = {}
            for item in typed:
                cell_name, value = item.split("=", 1)
                cell = sheet.getCellRangeByName(cell_name)
                cell.setString(value)
                shapes = sheet.DrawPage
                for index in range(shapes.Count - 1, -1, -1):
                    shapes.remove(shapes.getByIndex(index))
                sheet.showInvalid()
                marked[path][item] = shapes.Count > 0
                cell.setString("")
            document.close(True)
        print(json.dumps(marked, ensure_ascii=False))
    finally:
        office.terminate()
        office.wait(timeout=30)


if __name__ == "__main__":
    main(*sys.argv[1:])
