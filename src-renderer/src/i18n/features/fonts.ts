/**
 * The notice shown when the Chinese UI has no font to draw Chinese with; en.ts and zh-CN.ts mount it
 * under 'fonts'. It shows in English as well as Chinese: without the font, the Chinese is boxes.
 */
export const en = {
  missingTitle: 'No Chinese font on this system: Chinese text shows as boxes.',
  missingHow:
    'Install one, then reload this page: Debian and Ubuntu: sudo apt install fonts-noto-cjk · Fedora: sudo dnf install google-noto-sans-cjk-fonts · Arch: sudo pacman -S noto-fonts-cjk. macOS and Windows come with one.',
  useEnglish: 'Use English',
}

export const zhCN: typeof en = {
  missingTitle: '系统中没有中文字体：中文会显示为方框。',
  missingHow:
    '请安装中文字体后重新加载本页：Debian 和 Ubuntu：sudo apt install fonts-noto-cjk · Fedora：sudo dnf install google-noto-sans-cjk-fonts · Arch：sudo pacman -S noto-fonts-cjk。macOS 和 Windows 自带中文字体。',
  useEnglish: '使用英文界面',
}
