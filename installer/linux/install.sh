#!/usr/bin/env bash
# Install the built bundle on a Linux PC: the program in /opt/accessdesk, a menu entry and
# its icon. Run as root from the repository after building (dist/accessdesk). The store
# stays in each user's ~/.local/share/AccessDesk; this script never touches it.
#   sudo bash installer/linux/install.sh            # install or upgrade
#   sudo bash installer/linux/install.sh --remove   # remove the program (data stays)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ ${1:-} == --remove ]]; then
    rm -rf /opt/accessdesk /usr/share/applications/accessdesk.desktop \
        /usr/share/icons/hicolor/256x256/apps/accessdesk.png
    echo "Removed AccessDesk. Each user's records stay in ~/.local/share/AccessDesk."
    exit 0
fi
[[ -x dist/accessdesk/accessdesk ]] || { echo "Build first: bash installer/smoke_test.sh" >&2; exit 1; }
rm -rf /opt/accessdesk.new
cp -a dist/accessdesk /opt/accessdesk.new
rm -rf /opt/accessdesk
mv /opt/accessdesk.new /opt/accessdesk
install -Dm644 installer/linux/accessdesk.desktop /usr/share/applications/accessdesk.desktop
install -Dm644 resources/icons/accessdesk-256.png /usr/share/icons/hicolor/256x256/apps/accessdesk.png
command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
echo "Installed AccessDesk in /opt/accessdesk (menu: Office > AccessDesk)."
