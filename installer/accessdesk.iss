; Inno Setup 6 script: AccessDesk for a front-desk PC (per machine, Program Files).
;
; Build the bundle first (dist\accessdesk, from installer\accessdesk.spec), then:
;   ISCC.exe /DAppVersion=0.1.0 installer\accessdesk.iss
; The output is dist\AccessDesk-<version>-setup.exe. .github/workflows/windows-installer.yml
; passes the version read from pyproject.toml.
;
; Data: the app keeps each Windows user's store and its copies in that user's
; %LOCALAPPDATA%\AccessDesk (platformdirs user_data_dir("AccessDesk", appauthor=False)).
; This script never installs, changes or deletes anything there: an upgrade replaces only
; the program folder, and the app migrates the store at its next start after copying it
; (accessdesk.before-<revision>-<time>.sqlite beside it). Uninstalling leaves the data and
; says where it is. The script deliberately uses no per-user constants ({localappdata},
; {userappdata}): in an elevated per-machine install they would name the administrator's
; profile, not the front-desk user's.

#if VER < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or newer is needed (x64compatible, {autoprograms}).
#endif

#define AppName "AccessDesk"
#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\accessdesk"
#endif
; The windowed launcher (no console window); accessdesk.exe is the command line.
#define AppExe "accessdesk-gui.exe"

[Setup]
; AppId identifies the product across versions: never change it, or an upgrade would
; install beside the old version instead of over it.
AppId={{16DD20A1-1536-4FC2-8036-19541BF1708E}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=AccessDesk
AppComments=HIPAA right-of-access requests for small medical practices
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
VersionInfoDescription={#AppName} Setup
; Per machine, into Program Files (64-bit), for every user of the PC.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; An upgrade reuses the folder chosen the first time (UsePreviousAppDir defaults to yes).
SetupIconFile=accessdesk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
OutputDir=..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
; Close a running AccessDesk before replacing its files (Restart Manager).
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade removes the previous version's libraries first, so no stale module of an
; older build is left to be picked up. Only inside the program folder; never user data.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Patients' requests for their records"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
; As the user who started Setup, not the elevated administrator, so a first start
; creates the store in that user's folder.
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent runasoriginaluser

[Code]
// Said after every interactive uninstall. Built here with explicit line breaks rather
// than in [CustomMessages], where "%" and "%n" would need message formatting.
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Msg: String;
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
  begin
    Msg := 'AccessDesk has been removed from this PC. The practice''s records were NOT deleted.' + #13#10#13#10 +
      'Each Windows user''s AccessDesk store, and the copies taken before each upgrade, stay in that user''s folder:' + #13#10#13#10 +
      '    %LOCALAPPDATA%\AccessDesk' + #13#10 +
      '    (for example C:\Users\frontdesk\AppData\Local\AccessDesk)' + #13#10#13#10 +
      'Install AccessDesk again to use them. Keep that folder safe if the records are to be moved or archived, and delete it only when the practice''s records retention rules allow.';
    MsgBox(Msg, mbInformation, MB_OK);
  end;
end;
